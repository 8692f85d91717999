export const format = (id: string): string => `user-${id.padStart(4, '0')}`

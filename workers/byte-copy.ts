// Bytes the worker keeps or sends are its own copy, exactly sized: a view's
// buffer may hold far more than the view (a pooled Buffer's 8 KiB slab), and
// whoever gave the bytes may change or reuse them afterwards. Node's Response
// copies its body at construction for the same reason.

/** A fresh Uint8Array with just these bytes. */
export function copyBytes(bytes: ArrayBufferView | ArrayBuffer): Uint8Array {
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes.slice(0))
  const out = new Uint8Array(bytes.byteLength)
  out.set(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength))
  return out
}

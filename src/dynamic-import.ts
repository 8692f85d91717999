// import() of a package or a file, for code that runs in the server bundle.
// cli/code-cache.ts compiles that bundle with vm.Script, and there an import()
// fails once V8 used the code cache (Node 20: ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING;
// the fix, vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER, warns that it is
// experimental). So the loader, a module Node compiled itself, hands the bundle
// its own import() as __hotcellImport. Everywhere else (the library, an
// unsupervised run with NODE_DISABLE_COMPILE_CACHE) this module's import() is used.
// Either resolves a bare name from the same package. Every import() in src/
// of a package or a file comes through here (test/code-cache.test.ts checks the
// bundle); esbuild inlines those of hotcell's own modules.
declare const __hotcellImport: ((specifier: string) => Promise<unknown>) | undefined

export const dynamicImport: <T>(specifier: string) => Promise<T> =
  typeof __hotcellImport === 'function' ? (__hotcellImport as <T>(specifier: string) => Promise<T>) : (specifier) => import(specifier)

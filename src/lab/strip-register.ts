// `node --import` this file: registers the hooks that let Node 20, which
// has no type stripping of its own, load a program's .ts files (see
// strip-hooks.ts). `syscall-lab run` adds it only where Node needs it.
import { register } from 'node:module';

register('./strip-hooks.js', import.meta.url);

// Layer rules: sampler (I/O on /proc) -> model (pure) -> store (the loop) -> ui, output (consumers);
// format and columns are leaf helpers shared by the screens and the renderers of src/output, which are pure.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

const nodeBuiltins = ['node:*', 'fs', 'fs/*', 'os', 'path', 'child_process', 'worker_threads'];
/** Everything Node has that a renderer must not touch: I/O, processes, threads, sockets. */
const allNodeBuiltins = [
  ...nodeBuiltins,
  'buffer',
  'crypto',
  'events',
  'http',
  'https',
  'net',
  'perf_hooks',
  'process',
  'readline',
  'stream',
  'stream/*',
  'timers',
  'timers/*',
  'tty',
  'url',
  'util',
  'zlib',
];
const upperLayers = ['**/ui/**', '**/ui', '**/commands/**', '**/sampler/**'];

/** commands/ wires the layers to the command line: only src/main.ts and commands/ import it. */
const COMMANDS_BELOW = {
  group: ['**/commands/**'],
  message: 'Nothing below the command line imports src/commands (it only wires).',
};

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // The native module's package (native/): plain CommonJS run by Node at install and load.
    files: ['native/**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        console: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['src/model/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: nodeBuiltins, message: 'The model is pure: no Node built-ins, no I/O.' },
            {
              group: ['**/sampler/**', '**/ui/**'],
              message: 'The model depends on nothing above or below it.',
            },
            { group: ['react', 'ink'], message: 'The model does not render.' },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'Date', message: 'The model takes time as an argument; it never reads the clock.' },
        {
          name: 'performance',
          message: 'The model takes time as an argument; it never reads the clock.',
        },
        { name: 'process', message: 'The model is pure: no process state.' },
      ],
    },
  },
  {
    files: ['src/sampler/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/ui/**', 'react', 'ink'],
              message: 'The sampler reads /proc; it does not render.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/ui/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: nodeBuiltins,
              message: 'The UI renders only: all I/O lives in src/sampler.',
            },
            {
              group: ['**/sampler/**'],
              message: 'The UI talks to the sampler only through intents to the store (src/store).',
            },
            {
              group: ['**/output/**'],
              message:
                'The TUI and the non-interactive renderers share format/ and columns/, not each other.',
            },
          ],
        },
      ],
    },
  },
  {
    // Below the command line's wiring: nothing imports commands/ (typescript-eslint's rule, so
    // that it stands beside each folder's own no-restricted-imports).
    files: ['src/{model,sampler,store,output,format,columns,terminal}/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [COMMANDS_BELOW] }],
    },
  },
  {
    files: ['src/store/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/ui/**', '**/output/**', '**/columns/**', '**/terminal/**'],
              message: 'The store feeds its consumers; it imports none of them.',
            },
            { group: ['react', 'ink'], message: 'The store does not render.' },
          ],
        },
      ],
    },
  },
  {
    // The UI sees the store through its contract's types only; what it asks goes up as intents.
    files: ['src/ui/**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            COMMANDS_BELOW,
            {
              group: ['**/store/**'],
              allowTypeImports: true,
              message: 'The UI imports only types from the store (import type); it sends intents.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/output/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: allNodeBuiltins,
              message:
                'A renderer is pure: state in, text out. Writing belongs to the command that calls it.',
            },
            {
              group: upperLayers,
              message:
                'A renderer takes what commands give it: model, format and columns only, never ui, commands or the sampler.',
            },
            { group: ['react', 'ink'], message: 'A renderer writes text, not a screen.' },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'A renderer is pure: no process state, no writing.' },
        { name: 'Buffer', message: 'A renderer returns text; bytes are the command’s to write.' },
        { name: 'console', message: 'A renderer returns text; the command writes it.' },
      ],
    },
  },
  {
    files: ['src/format/**/*.ts', 'src/columns/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: allNodeBuiltins,
              message: 'format and columns are pure helpers: no Node built-ins, no I/O.',
            },
            {
              group: upperLayers,
              message:
                'format and columns are shared leaf helpers: they import only model and format (and columns).',
            },
            { group: ['react', 'ink'], message: 'format and columns build text, not a screen.' },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'format and columns are pure: no process state.' },
      ],
    },
  },
);

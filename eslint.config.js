// Layer rules: sampler (I/O on /proc) -> model (pure) -> ui (render only); format and columns
// are leaf helpers shared by the screens and the renderers of src/output, which are pure.
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
              message:
                'The UI talks to the sampler only through intents (src/commands/session.ts).',
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

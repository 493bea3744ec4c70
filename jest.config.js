// Test workers inherit this: the SDK's notice about its releases after January 2027 is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // deploy/stack.js (serverless.yml's loader) sits next to deploy/stack.ts: imports mean the TypeScript.
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json', 'node'],
  transform: { '^.+\\.(t|j)s$': ['@swc/jest'] },
  // @middy/core is ESM-only; everything else in node_modules is CommonJS.
  transformIgnorePatterns: ['/node_modules/(?!@middy/)'],
  setupFilesAfterEnv: ['aws-sdk-client-mock-jest'],
  globalSetup: '<rootDir>/test/global-setup.js',
  // Subprocess and local-server tests share two cores with the rest of the suite; 5 s is too tight there.
  testTimeout: 20_000,
};

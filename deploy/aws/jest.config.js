// ts-jest only transpiles (isolatedModules in tsconfig.json): `tsc --noEmit` in ./synth does
// the type check once, instead of once per test file on 2 shared cores.
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  // Synthesizing the stack with aws-cdk-lib takes seconds; the default 5 s is too tight here.
  testTimeout: 60000,
};

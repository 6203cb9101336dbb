// The promtool tests: they need the real `promtool` (apt-get install -y prometheus), so they run
// outside `npm test`: `npx tsc --noEmit -p test-promtool && npx jest --ci -c test-promtool/jest.config.js`
module.exports = {
  rootDir: '..',
  roots: ['<rootDir>/test-promtool'],
  testMatch: ['**/*.test.ts'],
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': 'ts-jest' },
  moduleNameMapper: { '^cdk8s-microservices$': '<rootDir>/lib/index.ts' },
  testTimeout: 60_000,
};

import * as errors from '../lib/errors';

// The functions are minified: an error's name must not depend on its class's name surviving.
describe('Errors: every class names itself', () => {
  const classes = Object.entries(errors).filter(([, value]) => typeof value === 'function' && value.prototype instanceof Error || value === errors.DriftwardenError);

  it('covers every error class the module exports', () => {
    expect(classes.length).toBeGreaterThan(15);
  });

  it.each(classes)('%s', (exportedName, ErrorClass) => {
    const error = new (ErrorClass as new (message: string) => Error)('message');
    expect(error.name).toBe(exportedName);
    expect(error).toBeInstanceOf(errors.DriftwardenError);
  });
});

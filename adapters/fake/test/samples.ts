// The sample configs are shared with the port tests (one copy); the conformance kit will own them later.
export * from '../../../ports/test/samples';

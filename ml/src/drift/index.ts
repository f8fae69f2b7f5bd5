export * from './profile';
export * from './counts';
export * from './psi';

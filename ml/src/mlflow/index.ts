export * from './config';
export * from './client';
export * from './log-run';
export * from './training-run';

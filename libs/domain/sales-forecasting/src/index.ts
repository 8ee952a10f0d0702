export * from './holt-winters';
export * from './fit';
export * from './nelder-mead';
export * from './backtest';
export * from './choose-model';

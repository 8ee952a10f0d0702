export * from './dto';
export * from './relationship-commands';
export * from './read-models';
export * from './relationship-api.module';
export * from './customers.controller';
export * from './contract-checked-store';

export type { Broker, SubmissionMessage, MessageHandler } from './Broker.js';
export { MemoryBroker, type MemoryBrokerOptions } from './memory/MemoryBroker.js';
export { KafkaBroker, type KafkaBrokerOptions } from './kafka/KafkaBroker.js';
export { BrokerUnavailable, BrokerStopped, HandlerDeclined } from './errors.js';

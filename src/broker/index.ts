export type { Broker, SubmissionMessage, MessageHandler } from './Broker.js';
export { MemoryBroker, type MemoryBrokerOptions } from './memory/MemoryBroker.js';

// The few admin requests kafka.sh needs, through the same client library the service uses, so a
// broker that passes `ready` is one the service can talk to. A JVM admin tool would cost a second
// JVM start (seconds on a 2-core machine) for each call.
//   node scripts/kafka/admin.js ready HOST:PORT TIMEOUT_MS
//   node scripts/kafka/admin.js topic HOST:PORT NAME PARTITIONS
import { Admin } from '@platformatic/kafka';

const [command, brokers, ...rest] = process.argv.slice(2);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function client() {
  return new Admin({ clientId: 'verdict-kafka-sh', bootstrapBrokers: [brokers], retries: 0, timeout: 5000, connectTimeout: 2000 });
}

/** Ready means the broker has registered itself: a metadata answer lists at least one broker. */
async function ready(timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    const admin = client();
    try {
      const metadata = await admin.metadata({ topics: [], forceUpdate: true });
      if (metadata.brokers.size > 0) return;
      last = new Error('metadata lists no broker yet');
    } catch (err) {
      last = err;
    } finally {
      await admin.close().catch(() => {});
    }
    await sleep(200);
  }
  throw new Error(`broker at ${brokers} did not answer within ${timeoutMs} ms: ${last?.message ?? 'no answer'}`);
}

async function topic(name, partitions) {
  const admin = client();
  try {
    await admin.createTopics({ topics: [name], partitions, replicas: 1 });
  } catch (err) {
    if (!err?.findBy?.('apiId', 'TOPIC_ALREADY_EXISTS')) throw err;
  } finally {
    await admin.close().catch(() => {});
  }
}

try {
  if (command === 'ready') await ready(Number(rest[0] ?? 60000));
  else if (command === 'topic') await topic(rest[0], Number(rest[1] ?? 8));
  else throw new Error(`unknown command ${command}`);
} catch (err) {
  console.error(`kafka admin: ${err.message}`);
  process.exitCode = 1;
}

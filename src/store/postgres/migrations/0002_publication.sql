-- What change data capture streams: inserted submissions only, and of them only the id (the
-- relay publishes ids; streaming files and stdin through the WAL decoder would be waste).
-- Workers update rows as they run them; publishing updates would echo every claim and result
-- back into the queue.
CREATE PUBLICATION verdict_submissions FOR TABLE submissions (id) WITH (publish = 'insert');

-- What change data capture streams: inserted submissions only. Workers update rows as they run
-- them; publishing updates would echo every claim and result back into the queue.
CREATE PUBLICATION verdict_submissions FOR TABLE submissions WITH (publish = 'insert');

-- Siddhi: ExternalTimeBatchWindowTestCase.test05EdgeCase
@app:playback
-- Batches [0, 10000) and [10000, 20000): the event at 10000 closes the first (avg 15, count 3), the one at
-- 100000 the second (avg 85, count 3).
CREATE STREAM jmxMetric (cpu INT, timestamp BIGINT);
INSERT INTO tmp SELECT avg(cpu) AS avgCpu, count() AS count FROM jmxMetric WINDOW('externalTimeBatch', timestamp, 10 SEC);

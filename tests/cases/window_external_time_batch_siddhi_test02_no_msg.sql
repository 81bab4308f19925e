-- Siddhi: ExternalTimeBatchWindowTestCase.test02NoMsg
@app:playback
-- Five events 1 s apart by the attribute, all inside the first 10 s batch: nothing is emitted.
CREATE STREAM jmxMetric (cpu INT, timestamp BIGINT);
INSERT INTO tmp SELECT avg(cpu) AS avgCpu, count() AS count FROM jmxMetric WINDOW('externalTimeBatch', timestamp, 10 SEC);

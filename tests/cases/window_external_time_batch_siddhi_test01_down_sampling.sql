-- Siddhi: ExternalTimeBatchWindowTestCase.test01DownSampling
@app:playback
-- Five rounds of 3 events (each round one Event[] in Siddhi, 10 s apart by the attribute; the window emits
-- the same batches either way): 4 rows, one per closed round (the fifth round only closes the fourth).
-- The test counts 4 rows; the values follow from the rounds (cpu 15+10*i*ite, memory 1500+10*i*ite);
-- timeWindowEnds is the batch's last event's timestamp.
CREATE STREAM jmxMetric (cpu INT, memory INT, bytesIn BIGINT, bytesOut BIGINT, timestamp BIGINT);
INSERT INTO tmp SELECT avg(cpu) AS avgCpu, max(cpu) AS maxCpu, min(cpu) AS minCpu, '|' AS s,
  avg(memory) AS avgMem, max(memory) AS maxMem, min(memory) AS minMem, '|' AS s1,
  avg(bytesIn) AS avgBytesIn, max(bytesIn) AS maxBytesIn, min(bytesIn) AS minBytesIn, '|' AS s2,
  avg(bytesOut) AS avgBytesOut, max(bytesOut) AS maxBytesOut, min(bytesOut) AS minBytesOut, '|' AS s3,
  timestamp AS timeWindowEnds, '|' AS s4, count() AS metric_count
FROM jmxMetric WINDOW('externalTimeBatch', timestamp, 10 SEC);

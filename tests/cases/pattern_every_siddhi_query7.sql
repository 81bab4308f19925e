-- Siddhi: EveryPatternTestCase.testQuery7
@app:playback
-- every around the whole pattern, no overlap: asserted (55.6, 57.6) and (54, 53.6).
-- Siddhi's FLOAT prices are DOUBLE here; Thread.sleep(100) gaps are 100 ms timestamps.
CREATE STREAM Stream1 (symbol STRING, price DOUBLE, volume INT);
INSERT INTO OutputStream
SELECT e1.price AS price1, e3.price AS price3
FROM PATTERN (every (e1=Stream1[price > 20] -> e3=Stream1[price > 20]));

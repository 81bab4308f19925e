-- Siddhi: EveryPatternTestCase.testQuery5
@app:playback
-- every around a leading group restarts once through the group: asserted (55.6, 54, 57.7)
-- and (53.6, 53, 57.7).
-- Siddhi's FLOAT prices are DOUBLE here; Thread.sleep(100) gaps are 100 ms timestamps.
CREATE STREAM Stream1 (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM Stream2 (symbol STRING, price DOUBLE, volume INT);
INSERT INTO OutputStream
SELECT e1.price AS price1, e3.price AS price3, e2.price AS price2
FROM PATTERN (every (e1=Stream1[price > 20] -> e3=Stream1[price > 20]) -> e2=Stream2[price > e1.price]);

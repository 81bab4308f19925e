-- Siddhi: WithinPatternTestCase.testQuery3
@app:playback
-- every around a leading group, WITHIN 2 sec: the first trip (from 0 ms) lapses by 2700 ms.
-- Asserted: 1 event (53.6, 53, 57.7).
-- Siddhi's FLOAT prices are DOUBLE here; Thread.sleep gaps become timestamps (back-to-back sends 1 ms apart).
CREATE STREAM Stream1 (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM Stream2 (symbol STRING, price DOUBLE, volume INT);
INSERT INTO OutputStream
SELECT e1.price AS price1, e3.price AS price3, e2.price AS price2
FROM PATTERN (every (e1=Stream1[price > 20] -> e3=Stream1[price > 20]) -> e2=Stream2[price > e1.price])
WITHIN 2 SEC;

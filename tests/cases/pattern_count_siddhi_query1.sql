-- Siddhi: CountPatternTestCase.testQuery1
@app:playback
-- Asserted: 1 event (25.6, 47.6, 47.8, null, 45.7).
-- Siddhi's FLOAT prices are DOUBLE here; Thread.sleep(100) gaps are 100 ms timestamps.
CREATE STREAM Stream1 (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM Stream2 (symbol STRING, price DOUBLE, volume INT);
INSERT INTO OutputStream
SELECT e1[0].price AS price1_0, e1[1].price AS price1_1, e1[2].price AS price1_2,
       e1[3].price AS price1_3, e2.price AS price2
FROM PATTERN (e1=Stream1[price > 20]<2:5> -> e2=Stream2[price > 20]);

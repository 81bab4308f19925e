-- Siddhi: SequenceTestCase.testQuery23
@app:playback
-- Asserted: (25.0, 35.6, null, null, 35.6, 29.5), (29.5, 57.6, null, 57.6, 58.6, 57.7).
-- Siddhi's FLOAT prices are DOUBLE here; Thread.sleep(100) gaps are 100 ms, back-to-back sends 1 ms.
CREATE STREAM Stream1 (symbol STRING, price DOUBLE, volume INT);
INSERT INTO OutputStream
SELECT e1.price AS price1, e2[0].price AS price2, e2[last-2].price AS price3, e2[last-1].price AS price4,
       e2[last].price AS price5, e3.price AS price6
FROM SEQUENCE (every e1=Stream1[price > 20],
   e2=Stream1[price >= e2[last].price OR price >= e1.price]+,
   e3=Stream1[price < e2[last].price]);

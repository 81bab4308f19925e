-- Siddhi: SequenceTestCase.testQuery20_2
@app:playback
-- ifThenElse in a counting filter. Asserted: (15.6, 58.6, 47.6), (27.6, 49.6, 45.6), (27.7, 49.7, 45.7).
-- Siddhi's FLOAT prices are DOUBLE here; Thread.sleep(100) gaps are 100 ms, back-to-back sends 1 ms.
CREATE STREAM Stream1 (symbol STRING, price DOUBLE, volume INT);
INSERT INTO OutputStream
SELECT e1.price AS initialPrice, e2[last].price AS peekPrice, e3.price AS firstDropPrice
FROM SEQUENCE (every e1=Stream1,
   e2=Stream1[ifThenElse(e2[last].price IS NULL, e1.price <= price, e2[last].price <= price)]+,
   e3=Stream1[e2[last].price > price]);

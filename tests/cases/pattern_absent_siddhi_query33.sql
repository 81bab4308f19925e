-- Siddhi: AbsentPatternTestCase.testQueryAbsent33
@app:playback
-- A matching Stream2 event ends the attempt. Asserted: no event.
-- Siddhi's FLOAT price is DOUBLE here; Thread.sleep gaps become timestamps. The test observes
-- output for up to 500 ms after its last send: --until 800 --no-final-flush.
CREATE STREAM Stream1 (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM Stream2 (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM Stream3 (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM Stream4 (symbol STRING, price DOUBLE, volume INT);
INSERT INTO OutputStream
SELECT e1.symbol AS symbol1, e2.symbol AS symbol2, e3.symbol AS symbol3
FROM PATTERN (e1=Stream1[price > 10] -> not Stream2[price > 20] for 1 sec -> e2=Stream3[price > 30] and e3=Stream4[price > 40]);

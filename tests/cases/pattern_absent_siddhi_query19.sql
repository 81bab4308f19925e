-- Siddhi: AbsentPatternTestCase.testQueryAbsent19
@app:playback
-- Asserted: 1 event (WSO2, IBM, GOOGLE).
-- Siddhi's FLOAT price is DOUBLE here; Thread.sleep gaps become timestamps. The test observes
-- output for up to 5000 ms after its last send: --until 5200 --no-final-flush.
CREATE STREAM Stream1 (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM Stream2 (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM Stream3 (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM Stream4 (symbol STRING, price DOUBLE, volume INT);
INSERT INTO OutputStream
SELECT e1.symbol AS symbol1, e2.symbol AS symbol2, e3.symbol AS symbol3
FROM PATTERN (e1=Stream1[price > 10] -> e2=Stream2[price > 20] -> e3=Stream3[price > 30] -> not Stream4[price > 40] for 1 sec);

-- Siddhi: AbsentPatternTestCase.testQueryAbsent3
@app:playback
-- A matching Stream2 event within 1 s. Asserted: no event.
-- Siddhi's FLOAT price is DOUBLE here; Thread.sleep gaps become timestamps. The test observes
-- output for up to 5000 ms after its last send: --until 5100 --no-final-flush.
CREATE STREAM Stream1 (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM Stream2 (symbol STRING, price DOUBLE, volume INT);
INSERT INTO OutputStream
SELECT e1.symbol AS symbol1
FROM PATTERN (e1=Stream1[price > 20] -> not Stream2[price > e1.price] for 1 sec);

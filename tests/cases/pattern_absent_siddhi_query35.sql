-- Siddhi: AbsentPatternTestCase.testQueryAbsent35
@app:playback
-- Asserted: no event.
-- Siddhi's FLOAT price is DOUBLE here; Thread.sleep gaps become timestamps. The test observes
-- output for up to 500 ms after its last send: --until 700 --no-final-flush.
CREATE STREAM Stream1 (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM Stream2 (symbol STRING, price DOUBLE, volume INT);
INSERT INTO OutputStream
SELECT e2[0].symbol AS symbol0, e2[1].symbol AS symbol1, e2[2].symbol AS symbol2, e2[3].symbol AS symbol3
FROM PATTERN (not Stream1[price > 10] for 1 sec -> e2=Stream2[price > 20]<2:5>);

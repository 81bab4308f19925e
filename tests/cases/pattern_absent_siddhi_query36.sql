-- Siddhi: AbsentPatternTestCase.testQueryAbsent36
@app:playback
-- Counting after an opening absent element. Asserted: 1 event (WSO2, IBM, null, null).
-- Siddhi's FLOAT price is DOUBLE here; Thread.sleep gaps become timestamps. The test observes
-- output for up to 500 ms after its last send: --until 1700 --no-final-flush.
-- AppStart is read by no query: its event at 0 ms starts the playback clock where Siddhi's
-- app starts before the first send.
CREATE STREAM AppStart (x INT);
CREATE STREAM Stream1 (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM Stream2 (symbol STRING, price DOUBLE, volume INT);
INSERT INTO OutputStream
SELECT e2[0].symbol AS symbol0, e2[1].symbol AS symbol1, e2[2].symbol AS symbol2, e2[3].symbol AS symbol3
FROM PATTERN (not Stream1[price > 10] for 1 sec -> e2=Stream2[price > 20]<2:5>);

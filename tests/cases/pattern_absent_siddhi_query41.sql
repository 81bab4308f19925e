-- Siddhi: AbsentPatternTestCase.testQueryAbsent41
@app:playback
-- Siddhi selects *; no row within the test's 500 ms. Asserted: no event.
-- Siddhi's FLOAT price is DOUBLE here; Thread.sleep gaps become timestamps. The test observes
-- output for up to 500 ms after its last send: --until 500 --no-final-flush.
CREATE STREAM Stream1 (symbol STRING, price DOUBLE, volume INT);
INSERT INTO OutputStream
SELECT event_timestamp() AS at
FROM PATTERN (every not Stream1[price > 20] for 1 sec);

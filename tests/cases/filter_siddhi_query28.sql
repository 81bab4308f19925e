-- Siddhi: FilterTestCase1.testFilterQuery28
@app:playback
-- Siddhi waits for 1 events (no count assertion); rows follow the filter.
-- Siddhi's condition: volume != 40f and volume != 400 (typed literals 50f/50L/50d are 50.0/50/50.0 here).
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume INT);
INSERT INTO outputStream
SELECT symbol, price, volume
FROM cseEventStream
WHERE volume <> 40.0 AND volume <> 400;

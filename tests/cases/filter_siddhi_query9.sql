-- Siddhi: FilterTestCase1.testFilterQuery9
@app:playback
-- Siddhi waits for 2 events (no count assertion); rows follow the filter.
-- Siddhi's condition: volume > 50f (typed literals 50f/50L/50d are 50.0/50/50.0 here).
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume FLOAT);
INSERT INTO outputStream
SELECT symbol, price
FROM cseEventStream
WHERE volume > 50.0;

-- Siddhi: FilterTestCase1.testFilterQuery25
@app:playback
-- Siddhi waits for 1 events (no count assertion); rows follow the filter.
-- Siddhi's condition: price != 35L (typed literals 50f/50L/50d are 50.0/50/50.0 here).
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume BIGINT);
INSERT INTO outputStream
SELECT symbol, price
FROM cseEventStream
WHERE price <> 35;

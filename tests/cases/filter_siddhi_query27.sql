-- Siddhi: FilterTestCase1.testFilterQuery27
@app:playback
-- Siddhi waits for 2 events (no count assertion); rows follow the filter.
-- Siddhi's condition: price != 53.6d or price != 87 (typed literals 50f/50L/50d are 50.0/50/50.0 here).
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume BIGINT);
INSERT INTO outputStream
SELECT symbol, price, volume
FROM cseEventStream
WHERE price <> 53.6 OR price <> 87;

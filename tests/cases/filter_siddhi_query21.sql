-- Siddhi: FilterTestCase1.testFilterQuery21
@app:playback
-- Siddhi waits for 1 events (no count assertion); rows follow the filter. Asserted in the callback: 10L, ((Long) inEvents[0].getData(2)).longValue().
-- Siddhi's condition: volume != 100 (typed literals 50f/50L/50d are 50.0/50/50.0 here).
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume BIGINT);
INSERT INTO outputStream
SELECT symbol, price, volume
FROM cseEventStream
WHERE volume <> 100;

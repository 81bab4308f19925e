-- Siddhi: DelayWindowTestCase.delayWindowTest5
@app:playback
-- delay(1 sec) with sum and avg: the events are aggregated as they are released; last row 2500 / 1250.0.
CREATE STREAM CargoStream (weight INT);
CREATE STREAM OutputStream (weight INT, totalWeight BIGINT, averageWeight DOUBLE);
INSERT INTO OutputStream SELECT weight, sum(weight) AS totalWeight, avg(weight) AS averageWeight FROM CargoStream WINDOW('delay', 1 SEC);

-- Siddhi: FrequentWindowTestCase.frequentUniqueWindowTest1
@app:playback
-- frequent(2) over all attributes: every third distinct event decrements both counters to 0, expiring both
-- held events, and takes their place: 8 in, 6 removed. The two expired events of one arrival come in
-- Siddhi's ConcurrentHashMap key order (by the keys' hash buckets), then the arrival.
CREATE STREAM purchase (cardNo STRING, price FLOAT);
INSERT ALL EVENTS INTO PotentialFraud SELECT cardNo, price FROM purchase WINDOW('frequent', 2) WHERE price >= 30;

-- Siddhi: FrequentWindowTestCase.frequentUniqueWindowTest2
@app:playback
-- frequent(2, cardNo): the two frequent cards are emitted on every arrival; the third card only lowers the
-- counters and is dropped. Siddhi replaces a known key's event without emitting it as expired: 8 in, 0 removed.
CREATE STREAM purchase (cardNo STRING, price FLOAT);
INSERT ALL EVENTS INTO PotentialFraud SELECT cardNo, price FROM purchase WINDOW('frequent', 2, cardNo) WHERE price >= 30;

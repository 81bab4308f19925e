-- Siddhi: LossyFrequentWindowTestCase.lossyFrequentUniqueWindowTest1
@app:playback
-- lossyFrequent(0.1, 0.01), current events: each of the 4 cards is 1/4 of the stream, so all 100 of their
-- events are emitted; the last two events (a new card, count 2 of 102) are not. 100 in, 0 removed.
CREATE STREAM purchase (cardNo STRING, price FLOAT);
INSERT INTO PotentialFraud SELECT cardNo, price FROM purchase WINDOW('lossyFrequent', 0.1, 0.01) WHERE price >= 30;

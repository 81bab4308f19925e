-- Siddhi: LossyFrequentWindowTestCase.frequentUniqueWindowTest3
@app:playback
-- lossyFrequent(0.3, 0.05, cardNo), all events: 101 in, 1 removed (the single first card, pruned at the 20th event).
CREATE STREAM purchase (cardNo STRING, price FLOAT);
INSERT ALL EVENTS INTO PotentialFraud SELECT cardNo, price FROM purchase WINDOW('lossyFrequent', 0.3, 0.05, cardNo) WHERE price >= 30;

-- Siddhi: LossyFrequentWindowTestCase.frequentUniqueWindowTest2
@app:playback
-- lossyFrequent(0.3, 0.05) over all attributes, all events. The test asserts 1 removed event (the first,
-- single event pruned at the 20th event); the current rows follow Siddhi's LossyFrequentWindowProcessor
-- (an arrival is emitted when its key's count >= (support - error) * events so far; prune every 1/error events).
CREATE STREAM purchase (cardNo STRING, price FLOAT);
INSERT ALL EVENTS INTO PotentialFraud SELECT cardNo, price FROM purchase WINDOW('lossyFrequent', 0.3, 0.05) WHERE price >= 30;

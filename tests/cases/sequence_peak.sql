-- A counting element's filter may read its own latest occurrence: `e2[last].price` is the
-- previous event it collected (NULL before the first). Here e2 collects a rising run of at
-- least two prices and e3 is the first drop after it.
CREATE STREAM S (price DOUBLE);
CREATE STREAM Peaks (start DOUBLE, peak DOUBLE, fall DOUBLE);
INSERT INTO Peaks SELECT e1.price AS start, e2[last].price AS peak, e3.price AS fall
FROM SEQUENCE (every e1=S[price > 20],
               e2=S[(e2[last].price IS NULL AND price >= e1.price)
                    OR price >= e2[last].price]<2:>,
               e3=S[price < e2[last].price]);

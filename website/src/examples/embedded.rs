use eventflux::{AttrType, Engine, Value};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut engine = Engine::new();
    // A UDF: name, result type, implementation.
    engine.register_function("double_it", AttrType::Double, |v: &[Value]| {
        v[0].as_f64()
            .map_or(Value::Null, |x| Value::Double(x * 2.0))
    });
    // Compile: every error is reported, nothing starts yet.
    let app = engine.compile(
        "CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);
         INSERT INTO Out SELECT symbol, double_it(price) AS p2 FROM Trades WHERE volume > 500;",
    )?;
    let out = app.subscribe("Out")?; // a channel of output events
    app.start()?;
    let trades = app.input("Trades")?;
    trades.send(vec![Value::from("IBM"), 700.0.into(), 1000.into()])?;
    trades.send_batch(vec![
        vec![Value::from("WSO2"), 60.5.into(), 900.into()],
        vec![Value::from("ORCL"), 20.0.into(), 10.into()],
    ])?;
    let stats = app.shutdown()?; // stops sources, flushes sinks, returns counters
    for event in out.drain() {
        println!("{:?}", event.data); // ["IBM", 1400.0], then ["WSO2", 121.0]
    }
    println!("{stats}");
    Ok(())
}

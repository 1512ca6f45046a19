// The Rust equivalent of fmt_dual.sx: a `dual` prints as its value, an f64.
#[derive(Debug)]
struct Sample {
    loss: f64,
    step: i64,
}

fn main() {
    let d: f64 = 1.5;
    let v = vec![d, d * 2.0];
    let s = Sample { loss: d * d, step: 3 };
    println!("{} {:?} {:.3} {:>8.2}| {:+e}", d, d, d * 3.0, d, d);
    println!("{:?} {:.2?}", v, v);
    println!("{:?}", s);
    println!("{:#?}", s);
    println!("{:?} {}", (d, 1), format!("{:E}", d * 1000.0));
}

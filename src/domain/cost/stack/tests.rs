//! The stack's pricing checked against the built-in price lists.

use super::*;
use crate::domain::cost::{Bundle, Usage, estimate};

fn table(p: &str) -> PriceTable {
    let text = match p {
        "aws" => include_str!("../../../../assets/pricing/aws.toml"),
        _ => include_str!("../../../../assets/pricing/azure.toml"),
    };
    PriceTable::parse(text).unwrap()
}

fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-6, "{a} != {b}");
}

fn total(lines: &[LineItem], component: &str) -> f64 {
    lines
        .iter()
        .filter(|l| l.component == component)
        .map(|l| l.monthly)
        .sum()
}

#[test]
fn each_aws_model_by_hand() {
    let aws = table("aws");
    let stack = |api, compute, database| Stack {
        api: Some(api),
        compute: Some(compute),
        database: Some(database),
    };
    let l = stack_lines(
        &aws,
        &stack(
            ApiFront::HttpApi { requests: None },
            Compute::Ec2 {
                instance_type: "t3.small".into(),
                count: 2.0,
            },
            Database::RdsPostgres {
                instance_class: "db.t3.medium".into(),
                storage_gb: 20.0,
                multi_az: true,
            },
        ),
        400_000_000.0,
    )
    .unwrap();
    // 300 M at $1.00 + 100 M at $0.90.
    close(total(&l, "Bridge API"), 300.0 + 90.0);
    close(total(&l, "Bridge compute"), 2.0 * 730.0 * 0.0208);
    // Multi-AZ doubles instance hours and storage.
    close(total(&l, "Database"), 2.0 * 730.0 * 0.072 + 40.0 * 0.115);
    let l = stack_lines(
        &aws,
        &stack(
            ApiFront::Alb { lcu: 2.0 },
            Compute::Fargate {
                vcpu: 0.5,
                memory_gb: 1.0,
                tasks: 2.0,
            },
            Database::RdsPostgres {
                instance_class: "db.t3.micro".into(),
                storage_gb: 20.0,
                multi_az: false,
            },
        ),
        0.0,
    )
    .unwrap();
    close(
        total(&l, "Bridge API"),
        730.0 * 0.0225 + 730.0 * 2.0 * 0.008,
    );
    close(
        total(&l, "Bridge compute"),
        730.0 * 0.5 * 2.0 * 0.04048 + 730.0 * 1.0 * 2.0 * 0.004445,
    );
    close(total(&l, "Database"), 730.0 * 0.018 + 20.0 * 0.115);
    // Azure sections are not on the AWS bill: one unpriced row says so, costing nothing.
    let azure_only = Stack {
        api: Some(ApiFront::Apim { requests: None }),
        compute: None,
        database: None,
    };
    let l = stack_lines(&aws, &azure_only, 1e6).unwrap();
    assert_eq!(l.len(), 1);
    assert!(l[0].unpriced && l[0].monthly == 0.0 && l[0].name.contains("on Azure"));
}

#[test]
fn each_azure_model_by_hand() {
    let az = table("azure");
    let l = stack_lines(
        &az,
        &Stack {
            api: Some(ApiFront::Apim {
                requests: Some(3_000_000.0),
            }),
            compute: Some(Compute::ContainerInstances {
                vcpu: 1.0,
                memory_gb: 1.5,
                count: 1.0,
            }),
            database: Some(Database::AzurePostgres {
                sku: "B2s".into(),
                storage_gb: 32.0,
            }),
        },
        0.0,
    )
    .unwrap();
    // 300 units of 10,000 calls at $0.042, the first 100 free.
    close(total(&l, "Bridge API"), 200.0 * 0.042);
    close(
        total(&l, "Bridge compute"),
        730.0 * 0.04068 + 730.0 * 1.5 * 0.004455,
    );
    close(total(&l, "Database"), 730.0 * 0.068 + 32.0 * 0.115);
    let app = Stack {
        compute: Some(Compute::AppService {
            sku: "B1".into(),
            count: 2.0,
        }),
        ..Stack::default()
    };
    close(
        total(&stack_lines(&az, &app, 0.0).unwrap(), "Bridge compute"),
        2.0 * 730.0 * 0.018,
    );
    // An instance type with no price is an error naming it, not a zero.
    let unknown = Stack {
        compute: Some(Compute::AppService {
            sku: "Z9".into(),
            count: 1.0,
        }),
        ..Stack::default()
    };
    let e = stack_lines(&az, &unknown, 0.0).unwrap_err().to_string();
    assert!(e.contains("appservice.Z9"), "{e}");
}

#[test]
fn references_compare_by_component_and_total() {
    let aws = table("aws");
    let usage = Usage {
        bridge: Stack {
            compute: Some(Compute::Ec2 {
                instance_type: "t3.small".into(),
                count: 2.0,
            }),
            ..Stack::default()
        },
        ..Usage::default()
    };
    let b = Bundle {
        bytes_per_load: 50_000.0,
        brotli_bytes_per_load: None,
        release_bytes: 250_000.0,
        files_per_release: 7.0,
    };
    let e = estimate(&aws, &usage, &b).unwrap();
    let r = |c: &str, low: f64, high: f64| Reference {
        component: c.into(),
        label: c.into(),
        low,
        high,
        provider: None,
    };
    let c = compare(
        &e,
        &[
            r("Bridge compute", 30.0, 50.0),
            r("Bridge compute", 40.0, 50.0),
            r("Database", 1.0, 2.0),
            r("total", 0.0, 1.0),
        ],
    );
    let v: Vec<&str> = c.iter().map(|c| c.verdict.as_str()).collect();
    assert_eq!(v, ["within", "below", "below", "above"]);
    close(c[0].estimate, 2.0 * 730.0 * 0.0208);
}

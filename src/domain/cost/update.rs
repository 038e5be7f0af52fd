//! Keeping prices current: which public price-list query finds each price, how an answer
//! (Azure Retail Prices items, AWS Price List products) becomes a price in Shipdeck's units and
//! tiers, what changed, and the pricing file written back with the date and the query used.
//!
//! Pure: the adapters in `pricing/` fetch the answers; this module never does IO. A price whose
//! query finds nothing keeps its old value, and the report says so.

use super::price::{Price, PriceTable, Tier};
use serde_json::Value;

/// Where a price is looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Query {
    /// An OData `$filter` for the Azure Retail Prices API.
    Azure(String),
    /// An AWS Price List `GetProducts` call: service code and TERM_MATCH filters.
    Aws {
        service: String,
        filters: Vec<(String, String)>,
    },
}

impl Query {
    /// The query in words, written above the price in the updated file.
    pub fn describe(&self) -> String {
        match self {
            Query::Azure(f) => format!("Azure Retail Prices $filter={f}"),
            Query::Aws { service, filters } => format!(
                "AWS Price List GetProducts ServiceCode={service} {}",
                filters
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
        }
    }
}

fn aws(service: &str, filters: &[(&str, &str)]) -> Option<Query> {
    Some(Query::Aws {
        service: service.into(),
        filters: filters
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    })
}

fn azure(filter: String) -> Option<Query> {
    Some(Query::Azure(filter))
}

const US_EAST: &str = "US East (N. Virginia)";

/// The query that finds price `id` of `provider`, when Shipdeck knows one.
pub fn query_for(provider: super::Provider, id: &str) -> Option<Query> {
    match provider {
        super::Provider::Aws => aws_query(id),
        super::Provider::Azure => azure_query(id),
    }
}

fn aws_query(id: &str) -> Option<Query> {
    let loc = ("location", US_EAST);
    match id {
        "cloudfront.transfer_out" => aws(
            "AmazonCloudFront",
            &[
                ("location", "United States"),
                ("transferType", "CloudFront Outbound"),
            ],
        ),
        "cloudfront.https_requests" => aws(
            "AmazonCloudFront",
            &[("usagetype", "US-Requests-Tier2-HTTPS")],
        ),
        "cloudfront.invalidation_paths" => {
            aws("AmazonCloudFront", &[("usagetype", "Invalidations")])
        }
        "s3.storage" => aws(
            "AmazonS3",
            &[
                loc,
                ("storageClass", "General Purpose"),
                ("volumeType", "Standard"),
            ],
        ),
        "s3.put_copy_list" => aws("AmazonS3", &[loc, ("usagetype", "Requests-Tier1")]),
        "s3.get" => aws("AmazonS3", &[loc, ("usagetype", "Requests-Tier2")]),
        "apigateway.http_requests" => aws(
            "AmazonApiGateway",
            &[("usagetype", "USE1-ApiGatewayHttpRequest")],
        ),
        "apigateway.rest_requests" => aws(
            "AmazonApiGateway",
            &[("usagetype", "USE1-ApiGatewayRequest")],
        ),
        "alb.hours" => aws("AWSELB", &[("usagetype", "USE1-LoadBalancerUsage")]),
        "alb.lcu_hours" => aws("AWSELB", &[("usagetype", "USE1-LCUUsage")]),
        "fargate.vcpu_hours" => aws(
            "AmazonECS",
            &[("usagetype", "USE1-Fargate-vCPU-Hours:perCPU")],
        ),
        "fargate.gb_hours" => aws("AmazonECS", &[("usagetype", "USE1-Fargate-GB-Hours")]),
        "rds.storage_gp3" => aws(
            "AmazonRDS",
            &[
                loc,
                ("volumeType", "General Purpose-GP3"),
                ("databaseEngine", "PostgreSQL"),
                ("deploymentOption", "Single-AZ"),
            ],
        ),
        _ => {
            if let Some(t) = id.strip_prefix("ec2.") {
                return aws(
                    "AmazonEC2",
                    &[
                        ("instanceType", t),
                        loc,
                        ("operatingSystem", "Linux"),
                        ("tenancy", "Shared"),
                        ("preInstalledSw", "NA"),
                        ("capacitystatus", "Used"),
                    ],
                );
            }
            let class = id.strip_prefix("rds.postgres.")?;
            aws(
                "AmazonRDS",
                &[
                    ("instanceType", class),
                    loc,
                    ("databaseEngine", "PostgreSQL"),
                    ("deploymentOption", "Single-AZ"),
                ],
            )
        }
    }
}

fn azure_query(id: &str) -> Option<Query> {
    let fd = |meter: &str, region: Option<&str>| {
        let mut f = format!(
            "serviceName eq 'Azure Front Door Service' and skuName eq 'Standard' and meterName eq '{meter}'"
        );
        if let Some(r) = region {
            f.push_str(&format!(" and armRegionName eq '{r}'"));
        }
        azure(f)
    };
    let eastus = |rest: &str| azure(format!("{rest} and armRegionName eq 'eastus'"));
    match id {
        "frontdoor.base_fee" => fd("Standard Base Fees", None),
        "frontdoor.transfer_out" => fd("Standard Data Transfer Out", Some("Zone 1")),
        "frontdoor.requests" => fd("Standard Requests", Some("Zone 1")),
        "blob.storage_hot_lrs" => eastus(
            "serviceName eq 'Storage' and productName eq 'Blob Storage' and skuName eq 'Hot LRS' and meterName eq 'Hot LRS Data Stored'",
        ),
        "blob.write_ops" => eastus(
            "serviceName eq 'Storage' and productName eq 'Blob Storage' and skuName eq 'Hot LRS' and meterName eq 'Hot LRS Write Operations'",
        ),
        "blob.read_ops" => eastus(
            "serviceName eq 'Storage' and productName eq 'Blob Storage' and skuName eq 'Hot LRS' and meterName eq 'Hot Read Operations'",
        ),
        "apim.consumption_calls" => {
            eastus("serviceName eq 'API Management' and skuName eq 'Consumption'")
        }
        "aci.vcpu_hours" => {
            eastus("serviceName eq 'Container Instances' and meterName eq 'Standard vCPU Duration'")
        }
        "aci.gb_hours" => eastus(
            "serviceName eq 'Container Instances' and meterName eq 'Standard Memory Duration'",
        ),
        "azpg.storage" => eastus(
            "serviceName eq 'Azure Database for PostgreSQL' and meterName eq 'Storage Data Stored' and productName eq 'Az DB for PostgreSQL Flexible Server Storage'",
        ),
        _ => {
            if let Some(sku) = id.strip_prefix("appservice.") {
                return eastus(&format!(
                    "serviceName eq 'Azure App Service' and skuName eq '{sku}' and contains(productName, 'Linux')"
                ));
            }
            let sku = id.strip_prefix("azpg.")?;
            eastus(&format!(
                "serviceName eq 'Azure Database for PostgreSQL' and skuName eq '{sku}' and contains(productName, 'Flexible Server')"
            ))
        }
    }
}

/// A price's amounts as an answer gives them, in Shipdeck's units.
#[derive(Debug, Clone, PartialEq)]
pub struct Amounts {
    pub tiers: Vec<Tier>,
    pub price: Option<f64>,
    pub free: f64,
}

/// Builds amounts from (first unit of the tier, price per unit) pairs in Shipdeck's units: a
/// first tier at zero price becomes the free allowance, one remaining tier a flat price.
fn amounts(mut steps: Vec<(f64, f64)>) -> Option<Amounts> {
    steps.sort_by(|a, b| a.0.total_cmp(&b.0));
    steps.dedup_by(|a, b| a.0 == b.0);
    let mut free = 0.0;
    if steps.len() > 1 && steps[0].1 == 0.0 && steps[0].0 == 0.0 {
        free = steps[1].0;
        steps.remove(0);
    }
    match steps.len() {
        0 => None,
        1 => Some(Amounts {
            tiers: Vec::new(),
            price: Some(steps[0].1),
            free,
        }),
        _ => {
            // Tiers are cumulative bounds: each ends where the next begins. Free units are
            // billed by the tiers too, so the bounds stay absolute.
            let tiers = steps
                .iter()
                .enumerate()
                .map(|(i, (_, p))| Tier {
                    up_to: steps.get(i + 1).map(|n| n.0),
                    price: *p,
                })
                .collect();
            Some(Amounts {
                tiers,
                price: None,
                free,
            })
        }
    }
}

/// Raw items in one Azure `unitOfMeasure` ("1 GB", "10K", "1M", "1 Hour", "1/Month" → 1,
/// 10,000, 1,000,000, 1, 1).
fn azure_unit_count(u: &str) -> f64 {
    let first = u.split([' ', '/']).next().unwrap_or("1");
    let (num, mult) = match first.chars().last() {
        Some('K') => (&first[..first.len() - 1], 1e3),
        Some('M') => (&first[..first.len() - 1], 1e6),
        _ => (first, 1.0),
    };
    num.parse::<f64>().unwrap_or(1.0) * mult
}

/// Amounts from Azure Retail Prices items (consumption meters, USD).
pub fn from_azure(items: &[Value], old: &Price) -> Option<Amounts> {
    let steps = items
        .iter()
        .filter(|i| i["type"].as_str().is_none_or(|t| t == "Consumption"))
        .filter(|i| !i["skuName"].as_str().unwrap_or("").contains("Spot"))
        .filter_map(|i| {
            let per = azure_unit_count(i["unitOfMeasure"].as_str().unwrap_or("1"));
            let price = i["retailPrice"].as_f64()?;
            let min = i["tierMinimumUnits"].as_f64().unwrap_or(0.0);
            // Azure counts `per` raw items per price; Shipdeck `unit_size` per unit.
            Some((min * per / old.unit_size, price * old.unit_size / per))
        })
        .collect();
    amounts(steps)
}

/// Amounts from AWS Price List products (each a JSON document; on-demand terms, USD).
pub fn from_aws(products: &[Value], old: &Price) -> Option<Amounts> {
    let mut steps = Vec::new();
    for p in products {
        let Some(on_demand) = p["terms"]["OnDemand"].as_object() else {
            continue;
        };
        for term in on_demand.values() {
            let Some(dims) = term["priceDimensions"].as_object() else {
                continue;
            };
            for d in dims.values() {
                let Some(usd) = d["pricePerUnit"]["USD"]
                    .as_str()
                    .and_then(|s| s.parse::<f64>().ok())
                else {
                    continue;
                };
                let begin = d["beginRange"]
                    .as_str()
                    .and_then(|s| s.parse::<f64>().ok())
                    .unwrap_or(0.0);
                steps.push((begin / old.unit_size, usd * old.unit_size));
            }
        }
    }
    amounts(steps)
}

/// One price as it changed (or not).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Change {
    pub id: String,
    pub before: String,
    pub after: String,
}

/// A price's amounts in words: "$0.085/GB (tiered)" or "$0.005/path, 1,000 free".
pub fn amounts_text(p: &Price) -> String {
    let mut s = format!("${}/{}", p.first_price(), p.unit);
    if p.is_tiered() {
        s.push_str(&format!(" ({} tiers)", p.tiers.len()));
    }
    if p.free > 0.0 {
        s.push_str(&format!(", {} free", super::fmt_qty(p.free)));
    }
    s
}

/// `old` with `new` amounts, dated `date`.
pub fn updated(old: &Price, new: &Amounts, date: &str, source: &str) -> Price {
    Price {
        tiers: new.tiers.clone(),
        price: new.price,
        free: new.free,
        date: date.to_string(),
        source: source.to_string(),
        ..old.clone()
    }
}

fn num(v: f64) -> String {
    let s = format!("{v}");
    if s.contains('.') || s.contains('e') {
        s
    } else {
        format!("{s}.0")
    }
}

/// The pricing file's text: a header saying when and how it was made, each price with the
/// query that found it (or why it kept its value).
pub fn to_toml(table: &PriceTable, header: &str, notes: &[(String, String)]) -> String {
    let q = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
    let mut out = String::new();
    for l in header.lines() {
        out.push_str(&format!("# {l}\n"));
    }
    out.push_str(&format!(
        "provider = {}\ncurrency = {}\n",
        q(table.provider.key()),
        q(&table.currency)
    ));
    for p in &table.prices {
        out.push_str("\n[[price]]\n");
        if let Some((_, note)) = notes.iter().find(|(id, _)| *id == p.id) {
            out.push_str(&format!("# {note}\n"));
        }
        out.push_str(&format!(
            "id = {}\nname = {}\nunit = {}\n",
            q(&p.id),
            q(&p.name),
            q(&p.unit)
        ));
        if p.unit_size != 1.0 {
            out.push_str(&format!("unit_size = {}\n", num(p.unit_size)));
        }
        out.push_str(&format!(
            "region = {}\nsource = {}\ndate = {}\n",
            q(&p.region),
            q(&p.source),
            q(&p.date)
        ));
        if p.tiers.is_empty() {
            out.push_str(&format!("price = {}\n", num(p.price.unwrap_or(0.0))));
        } else {
            out.push_str("tiers = [\n");
            for t in &p.tiers {
                match t.up_to {
                    Some(u) => out.push_str(&format!(
                        "  {{ up_to = {}, price = {} }},\n",
                        num(u),
                        num(t.price)
                    )),
                    None => out.push_str(&format!("  {{ price = {} }},\n", num(t.price))),
                }
            }
            out.push_str("]\n");
        }
        if p.free > 0.0 {
            out.push_str(&format!("free = {}\n", num(p.free)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(p: &str) -> PriceTable {
        let text = match p {
            "aws" => include_str!("../../../assets/pricing/aws.toml"),
            _ => include_str!("../../../assets/pricing/azure.toml"),
        };
        PriceTable::parse(text).unwrap()
    }

    #[test]
    fn azure_items_become_units_tiers_and_free_allowances() {
        let az = table("azure");
        // APIM: the first 100 units of 10K calls free, then $0.042 per 10K.
        let items = serde_json::json!([
            {"retailPrice": 0.0, "tierMinimumUnits": 0.0, "unitOfMeasure": "10K", "type": "Consumption", "skuName": "Consumption"},
            {"retailPrice": 0.035, "tierMinimumUnits": 100.0, "unitOfMeasure": "10K", "type": "Consumption", "skuName": "Consumption"}
        ]);
        let a = from_azure(
            items.as_array().unwrap(),
            az.get("apim.consumption_calls").unwrap(),
        )
        .unwrap();
        assert_eq!((a.price, a.free, a.tiers.len()), (Some(0.035), 100.0, 0));
        // Front Door transfer, tiered by GB.
        let items = serde_json::json!([
            {"retailPrice": 0.07, "tierMinimumUnits": 10240.0, "unitOfMeasure": "1 GB"},
            {"retailPrice": 0.081, "tierMinimumUnits": 0.0, "unitOfMeasure": "1 GB"}
        ]);
        let a = from_azure(
            items.as_array().unwrap(),
            az.get("frontdoor.transfer_out").unwrap(),
        )
        .unwrap();
        assert_eq!(
            a.tiers,
            vec![
                Tier {
                    up_to: Some(10240.0),
                    price: 0.081
                },
                Tier {
                    up_to: None,
                    price: 0.07
                }
            ]
        );
        // Requests priced per 10K while Shipdeck's unit is 10,000 requests.
        let items = serde_json::json!([{"retailPrice": 0.0095, "tierMinimumUnits": 0.0, "unitOfMeasure": "10K"}]);
        let a = from_azure(
            items.as_array().unwrap(),
            az.get("frontdoor.requests").unwrap(),
        )
        .unwrap();
        assert!((a.price.unwrap() - 0.0095).abs() < 1e-12);
        assert!(from_azure(&[], az.get("frontdoor.requests").unwrap()).is_none());
    }

    #[test]
    fn aws_products_become_units_and_tiers() {
        let aws_t = table("aws");
        let doc = serde_json::json!({"terms": {"OnDemand": {"X.Y": {"priceDimensions": {
            "a": {"unit": "Requests", "beginRange": "0", "endRange": "333000000", "pricePerUnit": {"USD": "0.0000035000"}},
            "b": {"unit": "Requests", "beginRange": "333000000", "endRange": "Inf", "pricePerUnit": {"USD": "0.0000028000"}}
        }}}}});
        let a = from_aws(&[doc], aws_t.get("apigateway.rest_requests").unwrap()).unwrap();
        assert_eq!(a.tiers.len(), 2);
        assert!((a.tiers[0].price - 3.5).abs() < 1e-9 && a.tiers[0].up_to == Some(333.0));
        let q = query_for(super::super::Provider::Aws, "ec2.t3.small").unwrap();
        assert!(q.describe().contains("instanceType=t3.small"));
        assert!(query_for(super::super::Provider::Azure, "frontdoor.purge").is_none());
    }

    #[test]
    fn the_written_file_parses_back_to_the_same_prices() {
        for p in ["aws", "azure"] {
            let t = table(p);
            let text = to_toml(
                &t,
                "written by a test",
                &[("s3.get".into(), "query: x".into())],
            );
            let back = PriceTable::parse(&text).unwrap();
            assert_eq!(back, t, "{p}");
        }
    }
}

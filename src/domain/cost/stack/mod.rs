//! The rest of the runbook's stack beside the CDN: the Bridge's API front, its compute and its
//! PostgreSQL database. Each section of a usage file is optional and belongs to one provider
//! (API Gateway, EC2, Fargate and RDS to AWS; API Management, Container Instances, App Service
//! and Azure Database for PostgreSQL to Azure); each is priced from the pricing files, never
//! from a number written here.

use super::Provider;
use super::price::{PriceError, PriceTable};
use super::{LineItem, fmt_qty, item};
use serde::{Deserialize, Serialize};

/// Hours in the average month, as AWS and Azure bill instance hours.
pub const HOURS_PER_MONTH: f64 = 730.0;

/// The Bridge's side of the bill, as a usage file describes it (`[bridge.api]`,
/// `[bridge.compute]`, `[bridge.database]`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stack {
    pub api: Option<ApiFront>,
    pub compute: Option<Compute>,
    pub database: Option<Database>,
}

/// What answers the widget's chat API requests in front of the Bridge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum ApiFront {
    /// AWS API Gateway HTTP API (priced per million requests).
    HttpApi { requests: Option<f64> },
    /// AWS API Gateway REST API (priced per million requests).
    RestApi { requests: Option<f64> },
    /// An AWS Application Load Balancer: hours plus load-balancer capacity units.
    Alb {
        #[serde(default = "one")]
        lcu: f64,
    },
    /// Azure API Management, consumption tier (priced per 10,000 calls, a free allowance).
    Apim { requests: Option<f64> },
    /// Azure Front Door routing the API (its requests, beside the CDN's).
    FrontdoorRules { requests: Option<f64> },
}

/// Where the Bridge runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Compute {
    /// EC2 instances, on demand (`instance_type` such as t3.small).
    Ec2 { instance_type: String, count: f64 },
    /// AWS Fargate tasks running all month.
    Fargate {
        vcpu: f64,
        memory_gb: f64,
        tasks: f64,
    },
    /// Azure Container Instances (the runbook's Bridge pipeline deploys there).
    ContainerInstances {
        vcpu: f64,
        memory_gb: f64,
        #[serde(default = "one")]
        count: f64,
    },
    /// Azure App Service plan instances (`sku` such as B1, P1v3).
    AppService { sku: String, count: f64 },
}

/// The Bridge's PostgreSQL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Database {
    /// Amazon RDS for PostgreSQL (`instance_class` such as db.t3.medium).
    RdsPostgres {
        instance_class: String,
        storage_gb: f64,
        #[serde(default)]
        multi_az: bool,
    },
    /// Azure Database for PostgreSQL flexible server (`sku` such as B2s, D2ds_v5).
    AzurePostgres { sku: String, storage_gb: f64 },
}

fn one() -> f64 {
    1.0
}

/// Why a stack section cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StackError {
    #[error(
        "key 'bridge.{section}': {value} is out of range; use a number above 0 and at most 1e6 for {what}"
    )]
    Range {
        section: &'static str,
        what: &'static str,
        value: f64,
    },
}

impl Stack {
    /// Checks every number of every section.
    pub fn check(&self) -> Result<(), StackError> {
        let ok = |v: f64| v.is_finite() && v > 0.0 && v <= 1e6;
        let mut nums: Vec<(&'static str, &'static str, f64)> = Vec::new();
        if let Some(ApiFront::Alb { lcu }) = &self.api {
            nums.push(("api", "lcu", *lcu));
        }
        if let Some(
            ApiFront::HttpApi { requests: Some(r) }
            | ApiFront::RestApi { requests: Some(r) }
            | ApiFront::Apim { requests: Some(r) }
            | ApiFront::FrontdoorRules { requests: Some(r) },
        ) = &self.api
            && !(r.is_finite() && *r >= 0.0 && *r <= super::MAX_COUNT)
        {
            return Err(StackError::Range {
                section: "api",
                what: "requests",
                value: *r,
            });
        }
        match &self.compute {
            Some(Compute::Ec2 { count, .. }) | Some(Compute::AppService { count, .. }) => {
                nums.push(("compute", "count", *count));
            }
            Some(Compute::Fargate {
                vcpu,
                memory_gb,
                tasks,
            }) => nums.extend([
                ("compute", "vcpu", *vcpu),
                ("compute", "memory_gb", *memory_gb),
                ("compute", "tasks", *tasks),
            ]),
            Some(Compute::ContainerInstances {
                vcpu,
                memory_gb,
                count,
            }) => nums.extend([
                ("compute", "vcpu", *vcpu),
                ("compute", "memory_gb", *memory_gb),
                ("compute", "count", *count),
            ]),
            None => {}
        }
        match &self.database {
            Some(Database::RdsPostgres { storage_gb, .. })
            | Some(Database::AzurePostgres { storage_gb, .. }) => {
                nums.push(("database", "storage_gb", *storage_gb));
            }
            None => {}
        }
        for (section, what, value) in nums {
            if !ok(value) {
                return Err(StackError::Range {
                    section,
                    what,
                    value,
                });
            }
        }
        Ok(())
    }
}

fn provider_of_api(a: &ApiFront) -> Provider {
    match a {
        ApiFront::HttpApi { .. } | ApiFront::RestApi { .. } | ApiFront::Alb { .. } => Provider::Aws,
        ApiFront::Apim { .. } | ApiFront::FrontdoorRules { .. } => Provider::Azure,
    }
}

fn provider_of_compute(c: &Compute) -> Provider {
    match c {
        Compute::Ec2 { .. } | Compute::Fargate { .. } => Provider::Aws,
        Compute::ContainerInstances { .. } | Compute::AppService { .. } => Provider::Azure,
    }
}

fn provider_of_database(d: &Database) -> Provider {
    match d {
        Database::RdsPostgres { .. } => Provider::Aws,
        Database::AzurePostgres { .. } => Provider::Azure,
    }
}

/// The stack's line items on `table`'s provider; a section of the other provider (an AWS
/// compute section in the Azure estimate) is one unpriced row saying so. `api_requests` is the
/// month's chat API requests from the usage, unless a section gives its own.
pub fn stack_lines(
    table: &PriceTable,
    stack: &Stack,
    api_requests: f64,
) -> Result<Vec<LineItem>, PriceError> {
    let provider = table.provider;
    let mut lines = Vec::new();
    // A section of the other provider is not left out silently: the column says, on a row of
    // its own, what it cannot price and how to price it.
    let unpriced = |component: &str, section: &str, other: Provider| LineItem {
        component: component.into(),
        name: format!("not priced: the Bridge's {section} is on {}", other.name()),
        quantity: 0.0,
        unit: String::new(),
        unit_price: 0.0,
        tiered: false,
        monthly: 0.0,
        usage_based: false,
        free: false,
        unpriced: true,
    };
    if let Some(a) = &stack.api {
        if provider_of_api(a) == provider {
            lines.extend(api_lines(table, a, api_requests)?);
        } else {
            lines.push(unpriced("Bridge API", "API front", provider_of_api(a)));
        }
    }
    if let Some(c) = &stack.compute {
        if provider_of_compute(c) == provider {
            lines.extend(compute_lines(table, c)?);
        } else {
            lines.push(unpriced(
                "Bridge compute",
                "compute",
                provider_of_compute(c),
            ));
        }
    }
    if let Some(d) = &stack.database {
        if provider_of_database(d) == provider {
            lines.extend(database_lines(table, d)?);
        } else {
            lines.push(unpriced("Database", "database", provider_of_database(d)));
        }
    }
    Ok(lines)
}

fn api_lines(
    table: &PriceTable,
    a: &ApiFront,
    api_requests: f64,
) -> Result<Vec<LineItem>, PriceError> {
    let c = "Bridge API";
    let per_request = |id: &str, requests: &Option<f64>| -> Result<Vec<LineItem>, PriceError> {
        Ok(item(
            table.get(id)?,
            c,
            requests.unwrap_or(api_requests),
            true,
        ))
    };
    match a {
        ApiFront::HttpApi { requests } => per_request("apigateway.http_requests", requests),
        ApiFront::RestApi { requests } => per_request("apigateway.rest_requests", requests),
        ApiFront::Apim { requests } => per_request("apim.consumption_calls", requests),
        ApiFront::FrontdoorRules { requests } => per_request("frontdoor.requests", requests),
        ApiFront::Alb { lcu } => {
            let mut l = item(table.get("alb.hours")?, c, HOURS_PER_MONTH, false);
            l.extend(item(
                table.get("alb.lcu_hours")?,
                c,
                HOURS_PER_MONTH * lcu,
                true,
            ));
            Ok(l)
        }
    }
}

fn compute_lines(table: &PriceTable, cp: &Compute) -> Result<Vec<LineItem>, PriceError> {
    let (c, h) = ("Bridge compute", HOURS_PER_MONTH);
    Ok(match cp {
        Compute::Ec2 {
            instance_type,
            count,
        } => named(
            item(
                table.get(&format!("ec2.{instance_type}"))?,
                c,
                h * count,
                false,
            ),
            &format!("{} × {instance_type}", fmt_qty(*count)),
        ),
        Compute::Fargate {
            vcpu,
            memory_gb,
            tasks,
        } => {
            let mut l = item(table.get("fargate.vcpu_hours")?, c, h * vcpu * tasks, false);
            l.extend(item(
                table.get("fargate.gb_hours")?,
                c,
                h * memory_gb * tasks,
                false,
            ));
            l
        }
        Compute::ContainerInstances {
            vcpu,
            memory_gb,
            count,
        } => {
            let mut l = item(table.get("aci.vcpu_hours")?, c, h * vcpu * count, false);
            l.extend(item(
                table.get("aci.gb_hours")?,
                c,
                h * memory_gb * count,
                false,
            ));
            l
        }
        Compute::AppService { sku, count } => named(
            item(
                table.get(&format!("appservice.{sku}"))?,
                c,
                h * count,
                false,
            ),
            &format!("{} × {sku}", fmt_qty(*count)),
        ),
    })
}

fn database_lines(table: &PriceTable, d: &Database) -> Result<Vec<LineItem>, PriceError> {
    let (c, h) = ("Database", HOURS_PER_MONTH);
    Ok(match d {
        Database::RdsPostgres {
            instance_class,
            storage_gb,
            multi_az,
        } => {
            // Multi-AZ runs a standby: twice the instance hours and the storage.
            let n = if *multi_az { 2.0 } else { 1.0 };
            let id = format!("rds.postgres.{instance_class}");
            let mut l = item(table.get(&id)?, c, h * n, false);
            l.extend(item(
                table.get("rds.storage_gp3")?,
                c,
                storage_gb * n,
                false,
            ));
            l
        }
        Database::AzurePostgres { sku, storage_gb } => {
            let mut l = item(table.get(&format!("azpg.{sku}"))?, c, h, false);
            l.extend(item(table.get("azpg.storage")?, c, *storage_gb, false));
            l
        }
    })
}

/// Prefixes the first line's name with what it counts (e.g. "2 × t3.small").
fn named(mut lines: Vec<LineItem>, what: &str) -> Vec<LineItem> {
    if let Some(l) = lines.first_mut() {
        l.name = format!("{} ({what})", l.name);
    }
    lines
}

/// A figure to compare the estimate with, e.g. one line of the runbook's cost table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reference {
    /// The estimate's component it covers (`CloudFront`, `S3`, `Bridge API`, `Bridge
    /// compute`, `Database`), or `total`.
    pub component: String,
    /// How the reference names it, e.g. "Compute (t3.small instances)".
    pub label: String,
    pub low: f64,
    pub high: f64,
    /// `aws`, `azure`, or both when absent.
    pub provider: Option<Provider>,
}

/// How the estimate compares with one reference figure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub label: String,
    pub component: String,
    pub low: f64,
    pub high: f64,
    pub estimate: f64,
    /// `within`, `below` or `above`.
    pub verdict: String,
}

/// Compares each reference with the estimate's subtotal for its component (or the total).
pub fn compare(estimate: &super::Estimate, refs: &[Reference]) -> Vec<Comparison> {
    let subtotals = estimate.subtotals();
    refs.iter()
        .filter(|r| r.provider.is_none_or(|p| p == estimate.provider))
        .map(|r| {
            let value = if r.component == "total" {
                estimate.total
            } else {
                subtotals
                    .iter()
                    .find(|(c, _)| *c == r.component)
                    .map_or(0.0, |(_, v)| *v)
            };
            // Cents decide: a figure equal to the reference to the cent is within it.
            let rounded = (value * 100.0).round() / 100.0;
            let verdict = if rounded < r.low {
                "below"
            } else if rounded > r.high {
                "above"
            } else {
                "within"
            };
            Comparison {
                label: r.label.clone(),
                component: r.component.clone(),
                low: r.low,
                high: r.high,
                estimate: value,
                verdict: verdict.into(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;

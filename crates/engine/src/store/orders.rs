//! The orders table as compact binary, versioned, for storage.

use super::DecodeError;
use crate::import::orders::{NO_CATEGORY, Orders};
use crate::model::message::Message;

const MAGIC: &[u8; 4] = b"SGLO";
/// The table format: 1 without categories, 2 with.
const FORMAT_VERSION: u16 = 2;

impl Orders {
    /// Writes the table as compact little-endian columns.
    pub fn encode(&self) -> Vec<u8> {
        let keys_len: usize = self.customer_keys.iter().map(|k| k.len() + 4).sum();
        let mut out = Vec::with_capacity(14 + keys_len + self.len() * 16);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&(self.customer_keys.len() as u32).to_le_bytes());
        for k in &self.customer_keys {
            out.extend_from_slice(&(k.len() as u32).to_le_bytes());
            out.extend_from_slice(k.as_bytes());
        }
        out.extend_from_slice(&(self.len() as u32).to_le_bytes());
        out.extend(self.customer.iter().flat_map(|v| v.to_le_bytes()));
        out.extend(self.day.iter().flat_map(|v| v.to_le_bytes()));
        out.extend(self.amount.iter().flat_map(|v| v.to_le_bytes()));
        out.extend_from_slice(&(self.categories.len() as u32).to_le_bytes());
        for c in &self.categories {
            out.extend_from_slice(&(c.len() as u32).to_le_bytes());
            out.extend_from_slice(c.as_bytes());
        }
        let with_categories = self.category.len() == self.len() && !self.categories.is_empty();
        out.push(u8::from(with_categories));
        if with_categories {
            out.extend(self.category.iter().flat_map(|v| v.to_le_bytes()));
        }
        out
    }

    /// Reads a table written by [`Orders::encode`], checking every length
    /// and index.
    pub fn decode(bytes: &[u8]) -> Result<Orders, DecodeError> {
        let err = DecodeError::of;
        let mut pos = 0usize;
        let mut take = |n: usize| -> Result<&[u8], DecodeError> {
            let end = pos.checked_add(n).filter(|e| *e <= bytes.len());
            let end = end.ok_or_else(|| err("engine.stored.truncated"))?;
            let s = &bytes[pos..end];
            pos = end;
            Ok(s)
        };
        if take(4)? != MAGIC {
            return Err(err("engine.not_a_seglens_orders_table"));
        }
        let version = u16::from_le_bytes(
            take(2)?
                .try_into()
                .map_err(|_| err("engine.stored.version"))?,
        );
        if version == 0 || version > FORMAT_VERSION {
            return Err(DecodeError(
                Message::new("engine.with.unknown_table_version")
                    .with("version", u64::from(version)),
            ));
        }
        let u32_at = |s: &[u8]| u32::from_le_bytes([s[0], s[1], s[2], s[3]]);
        let n_keys = u32_at(take(4)?) as usize;
        let mut customer_keys = Vec::with_capacity(n_keys.min(bytes.len() / 4));
        for _ in 0..n_keys {
            let len = u32_at(take(4)?) as usize;
            let k = std::str::from_utf8(take(len)?).map_err(|_| err("engine.key_is_not_utf_8"))?;
            customer_keys.push(k.to_string());
        }
        let n = u32_at(take(4)?) as usize;
        let customer: Vec<u32> = take(n.checked_mul(4).ok_or_else(|| err("engine.stored.size"))?)?
            .chunks_exact(4)
            .map(u32_at)
            .collect();
        if customer.iter().any(|c| *c as usize >= n_keys) {
            return Err(err("engine.customer_index_out_of_range"));
        }
        let day = take(n * 4)?
            .chunks_exact(4)
            .map(|s| i32::from_le_bytes([s[0], s[1], s[2], s[3]]))
            .collect();
        let amount = take(n * 8)?
            .chunks_exact(8)
            .map(|s| f64::from_le_bytes(s.try_into().unwrap_or([0; 8])))
            .collect();
        let (mut categories, mut category) = (Vec::new(), Vec::new());
        if version >= 2 {
            let n_categories = u32_at(take(4)?) as usize;
            for _ in 0..n_categories {
                let len = u32_at(take(4)?) as usize;
                let c = std::str::from_utf8(take(len)?)
                    .map_err(|_| err("engine.category_is_not_utf_8"))?;
                categories.push(c.to_string());
            }
            if take(1)?[0] == 1 {
                category = take(n.checked_mul(4).ok_or_else(|| err("engine.stored.size"))?)?
                    .chunks_exact(4)
                    .map(u32_at)
                    .collect();
                if category
                    .iter()
                    .any(|c| *c != NO_CATEGORY && *c as usize >= n_categories)
                {
                    return Err(err("engine.category_index_out_of_range"));
                }
            }
        }
        if pos != bytes.len() {
            return Err(err("engine.trailing_bytes"));
        }
        Ok(Orders {
            customer_keys,
            customer,
            day,
            amount,
            category,
            categories,
        })
    }
}

//! GeoJSON points for market locations.

use serde::{Deserialize, Serialize};

use super::InvalidValue;

/// A longitude in degrees, within -180..=180.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize)]
pub struct Longitude(f64);

/// A latitude in degrees, within -90..=90.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize)]
pub struct Latitude(f64);

impl Longitude {
    /// Accepts a finite value within -180..=180.
    pub fn new(value: f64) -> Result<Self, InvalidValue> {
        if value.is_finite() && (-180.0..=180.0).contains(&value) {
            Ok(Self(value))
        } else {
            Err(InvalidValue::new("longitude must be between -180 and 180"))
        }
    }

    /// Degrees.
    pub fn value(self) -> f64 {
        self.0
    }
}

impl Latitude {
    /// Accepts a finite value within -90..=90.
    pub fn new(value: f64) -> Result<Self, InvalidValue> {
        if value.is_finite() && (-90.0..=90.0).contains(&value) {
            Ok(Self(value))
        } else {
            Err(InvalidValue::new("latitude must be between -90 and 90"))
        }
    }

    /// Degrees.
    pub fn value(self) -> f64 {
        self.0
    }
}

/// A GeoJSON `Point`. On the wire: `{"type": "Point", "coordinates": [lon, lat]}`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeoPoint {
    /// East-west position.
    pub longitude: Longitude,
    /// North-south position.
    pub latitude: Latitude,
}

impl GeoPoint {
    /// A point from longitude and latitude in degrees; reports the first coordinate out of range.
    pub fn new(longitude: f64, latitude: f64) -> Result<Self, InvalidValue> {
        Ok(Self {
            longitude: Longitude::new(longitude)?,
            latitude: Latitude::new(latitude)?,
        })
    }
}

#[derive(Serialize, Deserialize)]
struct GeoJsonPoint {
    #[serde(rename = "type")]
    kind: String,
    coordinates: Vec<f64>,
}

impl Serialize for GeoPoint {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        GeoJsonPoint {
            kind: "Point".to_owned(),
            coordinates: vec![self.longitude.0, self.latitude.0],
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for GeoPoint {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = GeoJsonPoint::deserialize(d)?;
        GeoPoint::try_from_geojson(&raw.kind, &raw.coordinates).map_err(serde::de::Error::custom)
    }
}

impl GeoPoint {
    /// Builds a point from GeoJSON parts: the type must be `Point` and the coordinates `[lon, lat]`.
    pub fn try_from_geojson(kind: &str, coordinates: &[f64]) -> Result<Self, InvalidValue> {
        if kind != "Point" {
            return Err(InvalidValue::new("point type must be \"Point\""));
        }
        match coordinates {
            [lon, lat] => Self::new(*lon, *lat),
            _ => Err(InvalidValue::new(
                "point coordinates must be [longitude, latitude]",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn serialises_as_geojson() {
        let p = GeoPoint::new(-73.98, 40.75).unwrap();
        let json = serde_json::to_value(p).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"type": "Point", "coordinates": [-73.98, 40.75]})
        );
        let back: GeoPoint = serde_json::from_value(json).unwrap();
        assert_eq!(back, p);
    }

    #[test]
    fn rejects_out_of_range_and_malformed() {
        assert!(GeoPoint::new(181.0, 0.0).is_err());
        assert!(GeoPoint::new(0.0, -90.5).is_err());
        assert!(GeoPoint::new(f64::NAN, 0.0).is_err());
        assert!(GeoPoint::try_from_geojson("Polygon", &[0.0, 0.0]).is_err());
        assert!(GeoPoint::try_from_geojson("Point", &[0.0]).is_err());
    }

    proptest! {
        #[test]
        fn accepts_exactly_the_valid_ranges(lon in -400.0f64..400.0, lat in -200.0f64..200.0) {
            let ok = (-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat);
            prop_assert_eq!(GeoPoint::new(lon, lat).is_ok(), ok);
        }
    }
}

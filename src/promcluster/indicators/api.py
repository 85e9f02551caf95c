"""Indicators REST API."""

from fastapi import APIRouter

router = APIRouter()

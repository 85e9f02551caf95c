"""Chain designer and supply graph pages."""

from fastapi import APIRouter

router = APIRouter()
